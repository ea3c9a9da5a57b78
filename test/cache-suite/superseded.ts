/**
 * Tests of the npm package (http-cache-tests 0.4.5, published 2021-01-08) whose expectation the
 * suite itself later reversed to follow RFC 9111 — edgehook follows the RFC, so they cannot pass.
 * They are reported as superseded (⤳), counted neither as passes nor as failures, and the gate
 * ignores them. Each entry names the rule and the upstream change; a superseded test that starts
 * passing is reported, so a stale entry shows up. Runs of a newer checkout (`--suite-dir`) use
 * the corrected definitions and no entries from here.
 */

/** RFC 9111 §5.1: "a cache … SHOULD use the first member … If the field value (after discarding
 * additional members …) is invalid …, a cache SHOULD ignore the field." Upstream commits c4cc737
 * (2021-02-17, "adjust age tests for current spec") and 7498c4d (2021-03-01). */
const AGE_RULE = 'RFC 9111 §5.1: an invalid Age is ignored and a list counts by its first member (upstream c4cc737, 7498c4d)';

export const SUPERSEDED_IN_NPM_PACKAGE: ReadonlyMap<string, string> = new Map([
  ['age-parse-nonnumeric', `${AGE_RULE}; 0.4.5 wants "abc" to make the response stale`],
  ['age-parse-negative', `${AGE_RULE}; 0.4.5 wants "-7200" to make the response stale`],
  ['age-parse-float', `${AGE_RULE}; 0.4.5 wants "7200.0" to make the response stale`],
  ['age-parse-prefix-twoline', `${AGE_RULE}; 0.4.5 wants lines "0" then "7200" to be stale`],
  ['age-parse-dup-0', `${AGE_RULE}; 0.4.5 wants "0, 0" to be stale`],
  ['age-parse-dup-0-twoline', `${AGE_RULE}; 0.4.5 wants two "0" lines to be stale`],
  ['age-parse-dup-old', `${AGE_RULE}; 0.4.5 wants "3600, 3600" under max-age=10000 to be stale`],
  ['age-parse-parameter', `${AGE_RULE}; 0.4.5 wants "7200;foo=bar" read as 7200 (upstream made it an informational check)`],
  ['age-parse-numeric-parameter', `${AGE_RULE}; 0.4.5 wants "7200;foo=111" read as 7200 (upstream made it an informational check)`],
]);
