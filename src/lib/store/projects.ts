/**
 * Projects: create, list, rename, delete (with everything that belongs to them) and erase all.
 */
import { eraseBackendProbes } from './backend-probes';
import { openStore, eraseStore, writeTransaction } from './db';
import { guardQuota } from './errors';
import { PROJECT_STORES, type ProjectRecord } from './schema';
import { newId } from '../util/id';

export async function createProject(name: string, demo = false): Promise<ProjectRecord> {
  const now = Date.now();
  const project: ProjectRecord = {
    id: newId(),
    name,
    createdAt: now,
    updatedAt: now,
    settings: {},
    ...(demo ? { demo } : {}),
  };
  const db = await openStore();
  await guardQuota(`project “${name}”`, () => db.add('projects', project));
  return project;
}

export async function listProjects(): Promise<ProjectRecord[]> {
  const db = await openStore();
  const all = await db.getAll('projects');
  return all.sort((a, b) => b.updatedAt - a.updatedAt);
}

export async function getProject(id: string): Promise<ProjectRecord | undefined> {
  return (await openStore()).get('projects', id);
}

export async function updateProject(
  id: string,
  change: Partial<Pick<ProjectRecord, 'name' | 'settings'>>,
): Promise<ProjectRecord> {
  return writeTransaction(['projects'], 'project settings', async (tx) => {
    const current = await tx.objectStore('projects').get(id);
    if (!current) throw new Error(`No project with id ${id}.`);
    const next: ProjectRecord = { ...current, ...change, updatedAt: Date.now() };
    await tx.objectStore('projects').put(next);
    return next;
  });
}

/** Deletes a project and every record that belongs to it, in one transaction. */
export async function deleteProject(id: string): Promise<void> {
  await writeTransaction(['projects', ...PROJECT_STORES], 'project deletion', async (tx) => {
    for (const name of PROJECT_STORES) {
      const index = tx.objectStore(name).index('byProject');
      for (let cursor = await index.openCursor(id); cursor; cursor = await cursor.continue()) {
        await cursor.delete();
      }
    }
    await tx.objectStore('projects').delete(id);
  });
}

/** Erases every project and the database itself, and the backend measurements. */
export async function eraseAllLocalData(): Promise<void> {
  await eraseStore();
  await eraseBackendProbes();
}
