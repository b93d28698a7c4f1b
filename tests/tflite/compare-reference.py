#!/usr/bin/env python3
"""compare-reference.py BUILD_DIR [DATA]: every .tflite model of DATA/models/tflite run by
wasinfer (through BUILD_DIR/tests/tflite/tflite-run-raw) and by the TFLite interpreter
(PyPI tflite-runtime, pinned in tests/tflite/requirements.txt) on the same inputs: real
photographs resized to the model's size with PIL, and seeded random pixels. Prints, per
model, how many output values agree exactly and the largest difference (in output steps
for the quantized models). A manual check, not part of ctest: it needs that venv."""
import os, subprocess, sys, tempfile
import numpy as np
from PIL import Image
from tflite_runtime.interpreter import Interpreter

build = sys.argv[1]
data = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("WASINFER_DATA", "../shared/data")
runner = os.path.join(build, "tests", "tflite", "tflite-run-raw")
images = ["burger.jpg", "golden-retriever.jpeg", "grace_hopper.jpg", "parrot.jpg", "hot_dog.jpg", "husky.jpeg"]
tmp = tempfile.mkdtemp()
for name in sorted(os.listdir(os.path.join(data, "models", "tflite"))):
    path = os.path.join(data, "models", "tflite", name)
    it = Interpreter(model_path=path)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    size = inp["shape"][1]
    pixels = [np.asarray(Image.open(os.path.join(data, "images", i)).convert("RGB").resize((size, size), Image.BILINEAR)) for i in images]
    rng = np.random.default_rng(7)
    pixels += [rng.integers(0, 256, (size, size, 3), dtype=np.uint8) for _ in range(2)]
    equal = total = worst = top1 = 0
    for p in pixels:
        if inp["dtype"] == np.uint8:
            scale, zp = inp["quantization"]
            q = p.astype(np.uint8)[None]
            real = (scale * (q.astype(np.float32) - zp)).astype(np.float32)
        else:
            q = real = (p.astype(np.float32)[None] / 127.5 - 1.0).astype(np.float32)
        it.set_tensor(inp["index"], q)
        it.invoke()
        ref = it.get_tensor(out["index"]).reshape(-1)
        real.tofile(os.path.join(tmp, "in.f32"))
        subprocess.run([runner, path, os.path.join(tmp, "in.f32"), os.path.join(tmp, "out.f32")], check=True)
        ours = np.fromfile(os.path.join(tmp, "out.f32"), dtype=np.float32)
        if out["dtype"] == np.uint8:
            scale, zp = out["quantization"]
            ours_q = np.round(ours / scale + zp).astype(np.int64)
            diff = np.abs(ours_q - ref.astype(np.int64))
        else:
            diff = np.abs(ours - ref)
        equal += int((diff == 0).sum())
        total += diff.size
        worst = max(worst, float(diff.max()))
        top1 += int(ref[np.argmax(ours)] == ref.max())  # ties in uint8 outputs are common
    unit = "steps" if out["dtype"] == np.uint8 else "abs"
    print(f"{name}: {equal}/{total} outputs identical, largest difference {worst:g} {unit}, same top-1 {top1}/{len(pixels)}")
