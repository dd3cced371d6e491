/**
 * Each notebook cell's settings (epochs, batch, backend, units, …), kept per project in the
 * project record's `settings.cells[cellId]` so that a reload restores them. Written in one
 * transaction that reads the record first, so two cells saving at once never drop each other's.
 */
import { openStore, writeTransaction } from './db';

type Cells = Record<string, Record<string, unknown>>;

function cellsOf(settings: Record<string, unknown> | undefined): Cells {
  const cells = settings?.cells;
  return cells && typeof cells === 'object' ? (cells as Cells) : {};
}

export async function getCellSettings(
  projectId: string,
  cellId: string,
): Promise<Record<string, unknown> | null> {
  const project = await (await openStore()).get('projects', projectId);
  return cellsOf(project?.settings)[cellId] ?? null;
}

export async function putCellSettings(
  projectId: string,
  cellId: string,
  values: Record<string, unknown>,
): Promise<void> {
  await writeTransaction(['projects'], 'cell settings', async (tx) => {
    const project = await tx.objectStore('projects').get(projectId);
    if (!project) return;
    const cells = { ...cellsOf(project.settings), [cellId]: values };
    await tx.objectStore('projects').put({ ...project, settings: { ...project.settings, cells } });
  });
}
