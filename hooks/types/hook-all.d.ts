/// <reference path="./interfaces/edgehook-hooks-cache.d.ts" />
/// <reference path="./interfaces/edgehook-hooks-clock.d.ts" />
/// <reference path="./interfaces/edgehook-hooks-config.d.ts" />
/// <reference path="./interfaces/edgehook-hooks-crypto.d.ts" />
/// <reference path="./interfaces/edgehook-hooks-log.d.ts" />
/// <reference path="./interfaces/edgehook-hooks-on-origin-response.d.ts" />
/// <reference path="./interfaces/edgehook-hooks-on-request.d.ts" />
/// <reference path="./interfaces/edgehook-hooks-on-response.d.ts" />
/// <reference path="./interfaces/edgehook-hooks-request.d.ts" />
/// <reference path="./interfaces/edgehook-hooks-response.d.ts" />
/// <reference path="./interfaces/edgehook-hooks-types.d.ts" />
declare module 'edgehook:hooks/hook-all@0.1.0' {
  export type * as EdgehookHooksCache010 from 'edgehook:hooks/cache@0.1.0'; // import edgehook:hooks/cache@0.1.0
  export type * as EdgehookHooksClock010 from 'edgehook:hooks/clock@0.1.0'; // import edgehook:hooks/clock@0.1.0
  export type * as EdgehookHooksConfig010 from 'edgehook:hooks/config@0.1.0'; // import edgehook:hooks/config@0.1.0
  export type * as EdgehookHooksCrypto010 from 'edgehook:hooks/crypto@0.1.0'; // import edgehook:hooks/crypto@0.1.0
  export type * as EdgehookHooksLog010 from 'edgehook:hooks/log@0.1.0'; // import edgehook:hooks/log@0.1.0
  export type * as EdgehookHooksRequest010 from 'edgehook:hooks/request@0.1.0'; // import edgehook:hooks/request@0.1.0
  export type * as EdgehookHooksResponse010 from 'edgehook:hooks/response@0.1.0'; // import edgehook:hooks/response@0.1.0
  export type * as EdgehookHooksTypes010 from 'edgehook:hooks/types@0.1.0'; // import edgehook:hooks/types@0.1.0
  export * as onRequest from 'edgehook:hooks/on-request@0.1.0'; // export edgehook:hooks/on-request@0.1.0
  export * as onOriginResponse from 'edgehook:hooks/on-origin-response@0.1.0'; // export edgehook:hooks/on-origin-response@0.1.0
  export * as onResponse from 'edgehook:hooks/on-response@0.1.0'; // export edgehook:hooks/on-response@0.1.0
}
