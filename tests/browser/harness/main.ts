// The harness page used by browser tests for numerical checks (WebGPU vs CPU, decoders, features).
// Every `*.harness.ts` module beside this file is exposed as `window.harness.<name>`; tests call
// its exported functions through page.evaluate. Only the test build contains this page.
const modules = import.meta.glob('./*.harness.ts', { eager: true });

const harness: Record<string, unknown> = {};
for (const [path, mod] of Object.entries(modules)) {
  const name = path.replace(/^\.\//, '').replace(/\.harness\.ts$/, '');
  harness[name] = mod;
}
(window as unknown as { harness: Record<string, unknown> }).harness = harness;
document.getElementById('ready')!.textContent = 'ready';
