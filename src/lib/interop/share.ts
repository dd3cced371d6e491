/**
 * The Share section's single entry point for files dropped on it: a `.cinebreath` project file
 * becomes a project; anything else is read as a model for the open project.
 */
import type { ProjectRecord } from '../store/schema';
import { openContainer } from './container';
import { InteropError } from './errors';
import type { PreparedModel } from './model-files';
import { importModelFiles } from './model-transfer';
import { restoreProject } from './project-file';
import { sniff } from './sniff';

export type DropResult =
  { kind: 'project'; project: ProjectRecord } | { kind: 'model'; model: PreparedModel };

export async function importDropped(
  files: readonly File[],
  projectId: string | null,
): Promise<DropResult> {
  if (!files.length) throw new InteropError('No file was dropped.');
  for (const file of files) {
    if (sniff(new Uint8Array(await file.slice(0, 16).arrayBuffer())) !== 'container') continue;
    if ((await openContainer(file, file.name)).header.kind === 'project') {
      if (files.length > 1) {
        throw new InteropError('Drop a project file on its own; nothing was imported.');
      }
      return { kind: 'project', project: await restoreProject(file, file.name) };
    }
  }
  if (!projectId) {
    throw new InteropError('Open or create a project first: a model is imported into a project.');
  }
  return { kind: 'model', model: await importModelFiles(files, projectId) };
}
