/**
 * The page's shared state: which project is open, the project list, and the messages the user must
 * see (errors from any section, storage problems). Sections read it; only lib calls change data.
 */
import {
  createProject,
  deleteProject,
  eraseAllLocalData,
  listProjects,
} from '../lib/store/projects';
import { onStoreLost } from '../lib/store/db';
import type { ProjectRecord } from '../lib/store/schema';

const CURRENT_KEY = 'cinebreath.currentProject';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

class Notebook {
  projects = $state.raw<ProjectRecord[]>([]);
  currentId = $state<string | null>(null);
  notices = $state<Notice[]>([]);
  /** Bumped whenever stored data of the current project changes, so views reload. */
  revision = $state(0);
  #nextNotice = 1;

  current = $derived(this.projects.find((p) => p.id === this.currentId) ?? null);

  constructor() {
    onStoreLost((err) => this.error(err));
  }

  async refresh(): Promise<void> {
    this.projects = await listProjects();
    if (!this.projects.some((p) => p.id === this.currentId)) {
      const remembered = localStorage.getItem(CURRENT_KEY);
      this.currentId =
        this.projects.find((p) => p.id === remembered)?.id ?? this.projects[0]?.id ?? null;
    }
    this.changed();
  }

  select(id: string | null): void {
    this.currentId = id;
    if (id) localStorage.setItem(CURRENT_KEY, id);
    else localStorage.removeItem(CURRENT_KEY);
    this.changed();
  }

  changed(): void {
    this.revision++;
  }

  async create(name: string): Promise<ProjectRecord> {
    const project = await createProject(name);
    await this.refresh();
    this.select(project.id);
    return project;
  }

  async deleteCurrent(): Promise<void> {
    if (!this.currentId) return;
    await deleteProject(this.currentId);
    this.currentId = null;
    await this.refresh();
  }

  async eraseAll(): Promise<void> {
    await eraseAllLocalData();
    localStorage.removeItem(CURRENT_KEY);
    this.currentId = null;
    await this.refresh();
  }

  error(err: unknown): void {
    const text = err instanceof Error ? err.message : String(err);
    this.notices = [...this.notices, { id: this.#nextNotice++, kind: 'error', text }];
  }

  info(text: string): void {
    this.notices = [...this.notices, { id: this.#nextNotice++, kind: 'info', text }];
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /** Runs a UI action, turning any failure into a visible notice. */
  async attempt(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (err) {
      this.error(err);
    }
  }
}

export const notebook = new Notebook();
