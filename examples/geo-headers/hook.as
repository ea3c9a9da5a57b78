// Adds the client's geo attributes as request headers for the origin (x-geo-country, x-geo-city,
// x-geo-timezone) and answers 451 for countries listed in the hook's `config` ("CU,KP").
import { Verdict, proceed, respond, request, config } from "./edgehook";

export function onRequest(): Verdict {
  const geo = request.geo();
  if (geo === null) {
    request.setHeader("x-geo-country", "unknown");
    return proceed();
  }
  const country = geo.country;
  if (country !== null) {
    const blocked = config().split(",");
    for (let i = 0; i < blocked.length; i++) {
      if (blocked[i].trim() == country) {
        return respond(451, ["content-type", "text/plain", "cache-control", "no-store"], "unavailable in your region\n");
      }
    }
    request.setHeader("x-geo-country", country);
    // Origins that vary content by country get a per-country cache entry.
    request.addCacheKeyPart("geo:" + country);
  }
  const city = geo.city;
  if (city !== null) request.setHeader("x-geo-city", city);
  // Lets the origin render local times without a client-side lookup.
  const timezone = geo.timezone;
  if (timezone !== null) request.setHeader("x-geo-timezone", timezone);
  return proceed();
}
