/// <reference path="./edgehook-hooks-types.d.ts" />
declare module 'edgehook:hooks/log@0.1.0' {
  export function log(level: LogLevel, message: string, fields: Array<[string, string]>): void;
  export type LogLevel = import('edgehook:hooks/types@0.1.0').LogLevel;
}
