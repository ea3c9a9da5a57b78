/**
 * Injects fuel metering into a core module at load, so a runaway hook is stopped at its deadline
 * on the calling thread without a per-call thread hop.
 *
 * binaryen's `log-execution` pass already places a call at every function entry, loop header and
 * return; we replace the function it calls (an import) with an internal one that decrements a
 * fuel global and, when it runs out, calls the imported `edgehook:meter.refuel`, which checks the
 * call's deadline (throwing stops the guest) and returns the next budget. One JS call per budget
 * keeps the host check off the hot path. Chosen over wabt text rewriting: same idea, no text
 * round-trip (faster at load), and it also handles large JS-engine modules.
 */
import binaryen from 'binaryen';

export const METER_MODULE = 'edgehook:meter';
export const METER_REFUEL = 'refuel';
/** Units (function entries + loop iterations + returns) between two deadline checks. */
export const FUEL_BUDGET = 20_000;

const LOGGER = 'log_execution';

/**
 * Features V8 (Node 24) runs. Not `All`: that makes binaryen emit encodings V8 rejects
 * (compact imports, custom page sizes).
 */
const F = binaryen.Features;
const V8_FEATURES = F.MVP | F.Atomics | F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 | F.BulkMemory
  | F.SignExt | F.ExceptionHandling | F.TailCall | F.ReferenceTypes | F.Multivalue | F.GC | F.Memory64
  | F.RelaxedSIMD | F.ExtendedConst | F.MultiMemory | F.BulkMemoryOpt | F.CallIndirectOverlong;
const FUEL_GLOBAL = 'edgehook_fuel';
const REFUEL = 'edgehook_refuel';

function findLoggerImport(module: binaryen.Module): string | undefined {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    // The pass names the import's module after an existing import's module, so match the base.
    if (info.module !== '' && info.module !== null && info.base === LOGGER) return info.name;
  }
  return undefined;
}

function hasDefinedFunction(module: binaryen.Module): boolean {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    if (!binaryen.getFunctionInfo(module.getFunctionByIndex(i)).module) return true;
  }
  return false;
}

export function injectFuelMetering(bytes: Uint8Array): Uint8Array {
  const module = binaryen.readBinary(bytes);
  try {
    module.setFeatures(V8_FEATURES);
    if (findLoggerImport(module) !== undefined) throw new Error('module already imports env.log_execution');
    module.runPasses(['log-execution']);
    const logger = findLoggerImport(module);
    if (logger === undefined) {
      // Only a module without code may go unmetered; anything else must be refused.
      if (hasDefinedFunction(module)) throw new Error('fuel metering could not be injected');
      return bytes;
    }
    module.removeFunction(logger);
    module.addGlobal(FUEL_GLOBAL, binaryen.i32, true, module.i32.const(0));
    module.addFunctionImport(REFUEL, METER_MODULE, METER_REFUEL, binaryen.none, binaryen.i32);
    const fuel = (): binaryen.ExpressionRef => module.global.get(FUEL_GLOBAL, binaryen.i32);
    module.addFunction(logger, binaryen.i32, binaryen.none, [], module.block(null, [
      module.global.set(FUEL_GLOBAL, module.i32.sub(fuel(), module.i32.const(1))),
      module.if(module.i32.lt_s(fuel(), module.i32.const(0)),
        module.global.set(FUEL_GLOBAL, module.call(REFUEL, [], binaryen.i32))),
    ]));
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}
