// Saves a study-settings change from the panel and tells every view to reload.
import { notebook } from '../../../state/notebook.svelte';
import { saveStudySettings, type StudySettings } from '../../../lib/study/settings';

export function saveStudy(projectId: string, change: Partial<StudySettings>): Promise<void> {
  return notebook.attempt(async () => {
    await saveStudySettings(projectId, change);
    notebook.changed();
  });
}
