/**
 * The typed config schema DSL. Import as `import * as s from './dsl/index.ts'` and build fields
 * with `s.object({...})`, `s.duration({...})`, …; extend a schema by adding fields to a shape.
 */
export * from './field.ts';
export * from './scalars.ts';
export * from './units.ts';
export * from './network.ts';
export * from './composite.ts';
export * from './combinators.ts';
