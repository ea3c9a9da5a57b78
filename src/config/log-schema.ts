/**
 * The `log:` section: the level of the node's own log (JSON lines on stderr), the access log
 * (off by default; `access: {}` turns it on with every default) and the error log's rate limit.
 * Access-log field names and templates are checked here, so a typo is a config error naming
 * the key, not a blank column in production.
 */
import * as s from './dsl/index.ts';
import { DEFAULT_JSON_FIELDS, isAccessField, unknownTemplateFields, ACCESS_FIELDS } from '../logs/access-format.ts';
import type { AccessLogConfig } from '../logs/access-log.ts';
import { isAbsolute, resolve } from 'node:path';
import type { LogLevel } from '../log.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevel[];

export interface LogConfig {
  readonly level: LogLevel;
  /** null = no access log. */
  readonly access: AccessLogConfig | null;
  /** Error lines written per stable code per window; the rest are counted and reported with the next one. */
  readonly errorBurst: number;
  readonly errorWindow: s.Millis;
}

const fieldList = Object.keys(ACCESS_FIELDS).join(', ');

const access = s.orNull(s.map(s.object({
  path: s.string({ doc: 'stdout, or a file (relative to the config file) appended to and reopened on SIGUSR1 (with workers: by every worker), for logrotate.', default: 'stdout' }),
  format: s.string({
    doc: `json (one object per line with the fields below), or a text template with $field placeholders like nginx's log_format, e.g. '$client_ip "$method $url" $status $bytes $duration_ms "$cache_status"'. Fields: ${fieldList}.`,
    default: 'json',
  }),
  fields: s.array(s.string({ doc: 'A field name.' }), { doc: 'Fields of a JSON line, in order.', default: [...DEFAULT_JSON_FIELDS] }),
  sample: s.number({ doc: 'Share of requests logged, decided when each arrives (1 = every request).', default: 1, min: 0, max: 1 }),
  filter: s.enumOf(['all', 'errors'], { doc: 'all, or errors: responses with status >= 400 and responses cut before their end.', default: 'all' }),
}, { doc: 'Access log: one line per request.' }), checkAccess), { meaning: 'no access log' });

function checkAccess(value: AccessLogConfig, ctx: s.ParseContext): AccessLogConfig | s.Invalid {
  const badField = value.fields.find((name) => !isAccessField(name));
  if (badField !== undefined) return s.report(s.at(ctx, 'fields'), `expected a field name (${fieldList}), got "${badField}"`);
  if (value.format !== 'json') {
    const unknown = unknownTemplateFields(value.format);
    if (unknown.length > 0) return s.report(s.at(ctx, 'format'), `unknown field $${unknown[0]} in the template (fields: ${fieldList})`);
  }
  const path = value.path === 'stdout' || ctx.baseDir === undefined || isAbsolute(value.path) ? value.path : resolve(ctx.baseDir, value.path);
  return Object.freeze({ ...value, path, fields: Object.freeze([...value.fields]) });
}

export const logField = s.object({
  level: s.enumOf(LOG_LEVELS, { doc: 'Lowest level written (JSON lines on stderr).', default: 'info' }),
  access,
  error_burst: s.int({
    doc: 'Error-log lines written per stable code (EH_ORIGIN_CONNECT, …) per error_window; further ones are counted and the count is reported in the next line of that code, so a failing origin cannot flood the log.',
    default: 10, min: 1,
  }),
  error_window: s.duration({ doc: 'Window of error_burst.', default: '10s', min: 1 }),
}, { doc: 'Logging.' });
