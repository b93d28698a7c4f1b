#!/usr/bin/env python3
"""Writes what Pillow makes of the sample photographs, for test-image-pil.

Usage: make-pil-reference.py DATA_DIR OUT_DIR

For each image: NAME.png, Pillow's own decode saved losslessly (so the C test resizes the
very same pixels), and NAME.FILTER.WxH.rgb, Image.resize's raw RGB output. manifest.txt lists
one case per line: source-image decoded-png resized-rgb filter width height.
"""
import os
import sys

try:
    from PIL import Image
except ImportError:
    sys.exit("make-pil-reference: Pillow is missing; install it with "
             "`python3 -m pip install -r tools/requirements.txt` (or `make setup`)")

IMAGES = ["grace_hopper.jpg", "golden-retriever.jpeg", "parrot.jpg", "husky.jpeg",
          "sparrow.png", "cat_720p.jpg"]
SIZES = [(224, 224), (160, 160), (301, 97)]  # shrink, shrink more, stretch one axis
FILTERS = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "nearest": Image.NEAREST}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    lines = []
    for name in IMAGES:
        src = os.path.join(data, "images", name)
        if not os.path.exists(src):
            sys.exit(f"make-pil-reference: missing {src}: set WASINFER_DATA to the folder "
                     "holding models/ images/ labels/")
        im = Image.open(src).convert("RGB")
        png = os.path.join(out, name + ".png")
        im.save(png)
        for fname, f in FILTERS.items():
            for w, h in SIZES:
                rgb = os.path.join(out, f"{name}.{fname}.{w}x{h}.rgb")
                with open(rgb, "wb") as fh:
                    fh.write(im.resize((w, h), f).tobytes())
                lines.append(f"{src} {png} {rgb} {fname} {w} {h}")
    with open(os.path.join(out, "manifest.txt"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
