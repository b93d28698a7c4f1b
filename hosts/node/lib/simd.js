// Feature detection by WebAssembly.validate of tiny modules: SIMD128 (i8x16.splat and
// i8x16.popcnt, the same probe as wasm-feature-detect), so engines without the final SIMD spec
// get the scalar build; and relaxed SIMD (f32x4.relaxed_madd, the one relaxed instruction the
// kernels use), which V8 validates from Node 22 on, and in Node 20 with
// --experimental-wasm-relaxed-simd.

// A module with one function () -> v128 whose body (locals declaration, code, end) is `body`.
function probeModule(body) {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x0a, body.length + 2, 0x01, body.length, ...body, // code: one body
  ]);
}

const f32x4Zero = [0x43, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x13]; // f32.const 0; f32x4.splat
// i32.const 0; i8x16.splat; i8x16.popcnt; end
const SIMD_PROBE = probeModule([0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b]);
// three zero vectors; f32x4.relaxed_madd (0xfd 0x105); end
const RELAXED_PROBE = probeModule([0x00, ...f32x4Zero, ...f32x4Zero, ...f32x4Zero, 0xfd, 0x85, 0x02, 0x0b]);

const cached = { simd: null, relaxed: null };

export function simdSupported() {
  if (cached.simd === null) cached.simd = WebAssembly.validate(SIMD_PROBE);
  return cached.simd;
}

export function relaxedSimdSupported() {
  if (cached.relaxed === null) cached.relaxed = WebAssembly.validate(RELAXED_PROBE);
  return cached.relaxed;
}
