/** Where Debian's Chromium is and how to start it headless here (tests and bench). */
import { existsSync } from 'node:fs';

/** Path of the Chromium executable (`$CHROMIUM_PATH`, else Debian's), or undefined. */
export function findChromium(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p));
}

/**
 * Flags for headless Chromium in containers: no sandbox (we run as root), WebGL on SwiftShader
 * (no GPU), /tmp instead of a small /dev/shm.
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-dev-shm-usage'];
