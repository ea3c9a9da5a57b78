/// <reference path="./edgehook-hooks-types.d.ts" />
declare module 'edgehook:hooks/on-request@0.1.0' {
  export function handle(): Verdict;
  export type Verdict = import('edgehook:hooks/types@0.1.0').Verdict;
}
