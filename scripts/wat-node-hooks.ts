// Node module hooks that compile `.wat` imports like the Vite plugin does, for scripts run outside
// Vite (`npm run bench`, through tsx): registered by `wat-register.ts`.
import { fileURLToPath } from 'node:url';
import { watModuleSource } from './wat-kernels.ts';

type Load = (
  url: string,
  context: object,
  next: (url: string, context: object) => Promise<object>,
) => Promise<object>;

export const load: Load = async (url, context, next) => {
  if (!new URL(url).pathname.endsWith('.wat')) return next(url, context);
  const source = await watModuleSource(fileURLToPath(url));
  return { format: 'module', source, shortCircuit: true };
};
