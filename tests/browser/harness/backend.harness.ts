// Exposes backend selection to browser tests.
export { initBackend } from '../../../src/lib/compute/backend';
