/** Templates for `edgehook hook new <name>`: a TypeScript (JS engine) or AssemblyScript hook. */
export const TS_TEMPLATE = `// An edgehook hook (contract edgehook:hooks@0.1.0, see wit/README.md).
// Build: edgehook hook build hook.ts     Try: edgehook hook run hook.ts --url http://example.com/
import { getHeader, setHeader } from 'edgehook:hooks/request@0.1.0';
import { log } from 'edgehook:hooks/log@0.1.0';
import type { Verdict } from 'edgehook:hooks/types@0.1.0';

export const onRequest = {
  handle(): Verdict {
    // A WIT none arrives as null in QuickJS and undefined in SpiderMonkey: compare loosely.
    if (getHeader('x-block') != null) {
      return { tag: 'respond', val: { status: 403, headers: [['content-type', 'text/plain']], body: new Uint8Array([110, 111]) } };
    }
    setHeader('x-hello', 'from __NAME__');
    log('info', 'request seen', [['hook', '__NAME__']]);
    return { tag: 'continue' };
  },
};
`;

export const AS_TEMPLATE = `// An edgehook hook in AssemblyScript (the fast path; contract: wit/README.md).
// Build: edgehook hook build hook.as     Try: edgehook hook run hook.as --url http://example.com/
import { Verdict, proceed, respond, request, log, LogLevel } from "./edgehook";

export function onRequest(): Verdict {
  if (request.getHeader("x-block") !== null) return respond(403, ["content-type", "text/plain"], "no");
  request.setHeader("x-hello", "from __NAME__");
  log(LogLevel.Info, "request seen", ["hook", "__NAME__"]);
  return proceed();
}
`;
