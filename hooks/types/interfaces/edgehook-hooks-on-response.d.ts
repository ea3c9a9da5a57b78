/// <reference path="./edgehook-hooks-types.d.ts" />
declare module 'edgehook:hooks/on-response@0.1.0' {
  export function handle(): Verdict;
  export type Verdict = import('edgehook:hooks/types@0.1.0').Verdict;
}
