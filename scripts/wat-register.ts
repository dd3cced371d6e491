// `tsx --import ./scripts/wat-register.ts …`: lets scripts run outside Vite import `.wat` kernels.
import { register } from 'node:module';

register('./wat-node-hooks.ts', import.meta.url);
