// Cache policy in on-origin-response (what it decides is what gets stored): images for a day,
// everything else for the number of seconds in `config` (default 60); 5xx never stored; every
// object tagged with its first path segment so `purge tag=<segment>` clears a section.
import { Verdict, proceed, cache, response, request, config } from "./edgehook";

export function onOriginResponse(): Verdict {
  const status = response.status();
  if (status >= 500) {
    cache.setCacheable(false);
    return proceed();
  }
  const type = response.getHeader("content-type");
  if (type !== null && type.startsWith("image/")) {
    cache.setTtl(86400);
    cache.addTag("images");
  } else {
    const configured = config();
    const ttl = configured.length > 0 ? I32.parseInt(configured) : 60;
    cache.setTtl(ttl > 0 ? <u32>ttl : 60);
  }
  const path = request.path();
  const end = path.indexOf("/", 1);
  const section = end == -1 ? path.substring(1) : path.substring(1, end);
  if (section.length > 0) cache.addTag("section:" + section);
  response.setHeader("x-cache-policy", "edgehook-cache-ttl");
  return proceed();
}
