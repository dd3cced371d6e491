/**
 * The app version written into every exported file. src/lib may not import package.json (it lies
 * outside lib); tests/unit/interop-models.test.ts keeps the two equal.
 */
export const APP_VERSION = '0.1.0';
