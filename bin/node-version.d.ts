/** Types for node-version.js (plain JavaScript, so that an old Node can run it). */
export declare const REQUIRED_MAJOR: number;
export declare function nodeVersionProblem(version: string, execPath: string): string | null;
