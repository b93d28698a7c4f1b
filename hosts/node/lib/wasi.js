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
