// node:wasi, loaded without its one-time ExperimentalWarning on stderr: the CLI host must print
// exactly what the native CLI prints. The warning filter is removed again right after loading.
let wasiModule = null;

export async function loadWasi() {
  if (wasiModule) return wasiModule;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning, ...rest) {
    const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
    if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
    return emitWarning.call(this, warning, ...rest);
  };
  try {
    wasiModule = await import('node:wasi');
  } finally {
    process.emitWarning = emitWarning;
  }
  return wasiModule;
}

// The import object for `wasi`, each WASI function wrapped in a plain JS function. Node 20-22
// call WASI imports from wasm through V8 "fast API calls", which segfault the whole process
// on x86-64 Linux under some call patterns (nodejs/node#53087; here: loading the 14 MB model
// in wasinfer-cli.wasm, reproducibly). A JS wrapper makes V8 take the regular call path; the
// cost is nothing next to an inference (a few dozen WASI calls per run).
export function wasiImports(wasi) {
  const imports = wasi.getImportObject();
  for (const namespace of Object.values(imports)) {
    for (const [name, fn] of Object.entries(namespace)) {
      if (typeof fn === 'function') namespace[name] = (...args) => fn(...args);
    }
  }
  return imports;
}
