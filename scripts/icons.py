"""Draws the app's icons (public/icons/*.png) for the web app manifest: a white shield with a
check on the accent blue of style/main.css (--accent). Run it again after changing the drawing;
the PNGs are committed, so a build needs no image library (this script uses none either).

    python3 scripts/icons.py

- icon-192.png, icon-512.png: purpose "any", a rounded square (the launcher shows it as is).
- maskable-512.png: purpose "maskable", full bleed, the drawing inside the central circle of
  80% that every mask keeps.
"""
import os
import struct
import zlib

ACCENT = (0x0F, 0x62, 0xC9)
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 3  # per axis and pixel: edges are smoothed by averaging 9 samples

# The shield's outline in a unit square (x right, y down): a flat top with raised corners,
# straight sides, and a curved point at the bottom (quadratic curves, as points).
def _curve(a, b, c, steps=16):
    return [
        ((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * b[0] + t * t * c[0],
         (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * b[1] + t * t * c[1])
        for t in (i / steps for i in range(1, steps + 1))
    ]


SHIELD = (
    [(0.5, 0.15), (0.78, 0.25), (0.78, 0.5)]
    + _curve((0.78, 0.5), (0.77, 0.74), (0.5, 0.87))
    + _curve((0.5, 0.87), (0.23, 0.74), (0.22, 0.5))
    + [(0.22, 0.25)]
)
CHECK = [(0.37, 0.5), (0.46, 0.6), (0.64, 0.4)]
CHECK_HALF_WIDTH = 0.035


def inside(polygon, x, y):
    """Even-odd rule."""
    found = False
    j = len(polygon) - 1
    for i, (xi, yi) in enumerate(polygon):
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            found = not found
        j = i
    return found


def near_check(x, y):
    for (ax, ay), (bx, by) in zip(CHECK, CHECK[1:]):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        if (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= CHECK_HALF_WIDTH**2:
            return True
    return False


def in_rounded_square(x, y, radius=0.18):
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def colour_at(x, y, maskable):
    """(rgb, opaque) at a point of the unit square."""
    if not maskable and not in_rounded_square(x, y):
        return None
    # The maskable drawing is scaled to 80% around the centre (the safe zone).
    sx, sy = ((x - 0.5) / 0.8 + 0.5, (y - 0.5) / 0.8 + 0.5) if maskable else (x, y)
    if inside(SHIELD, sx, sy) and not near_check(sx, sy):
        return WHITE
    return ACCENT


def draw(size, maskable):
    rows = []
    for py in range(size):
        row = bytearray([0])  # PNG filter: none
        for px in range(size):
            r = g = b = a = 0
            for i in range(SAMPLES):
                for j in range(SAMPLES):
                    c = colour_at((px + (i + 0.5) / SAMPLES) / size, (py + (j + 0.5) / SAMPLES) / size, maskable)
                    if c:
                        r, g, b, a = r + c[0], g + c[1], b + c[2], a + 1
            n = SAMPLES * SAMPLES
            row += bytes((r // a, g // a, b // a, 255 * a // n) if a else (0, 0, 0, 0))
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "public", "icons")
    os.makedirs(out, exist_ok=True)
    for name, size, maskable in [("icon-192.png", 192, False), ("icon-512.png", 512, False), ("maskable-512.png", 512, True)]:
        with open(os.path.join(out, name), "wb") as f:
            f.write(draw(size, maskable))


if __name__ == "__main__":
    main()
