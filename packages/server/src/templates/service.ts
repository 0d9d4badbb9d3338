import { NotFoundError, UnavailableError, type TemplateDetail, type TemplateSummary } from '@paved/model';
import { loadTemplates, type LoadedTemplates } from './loader.js';

/**
 * Golden-path templates, read from the templates folder. Everyone signed in may read them (the
 * bearer hook sees to that): templates hold no secrets, and a new team member must be able to
 * start a service with no platform-team action.
 */
export interface TemplateService {
  list(): Promise<TemplateSummary[]>;
  get(name: string): Promise<TemplateDetail>;
}

export interface TemplateServiceDeps {
  /** The folder with one sub-folder per template (PAVED_TEMPLATES_DIR); absent: no templates. */
  dir: string | undefined;
  /** Told about each broken template once, e.g. to log a warning. */
  onProblem?: (problem: string) => void;
}

export class DefaultTemplateService implements TemplateService {
  private readonly reported = new Set<string>();

  constructor(private readonly deps: TemplateServiceDeps) {}

  async list(): Promise<TemplateSummary[]> {
    return (await this.load()).templates.map((template) => template.summary);
  }

  async get(name: string): Promise<TemplateDetail> {
    const { templates, problems } = await this.load();
    const template = templates.find((t) => t.summary.name === name);
    if (template) return template;
    // A folder of that name that failed to load is the platform team's to fix, not the caller's typo.
    const dir = this.deps.dir ?? '';
    const broken = problems.filter((problem) => problem.startsWith(`${dir}/${name}/`));
    if (broken.length > 0) {
      const detail = broken.map((problem) => problem.slice(dir.length + 1));
      throw new UnavailableError(`Template "${name}" is broken and cannot be used until the platform team fixes it: ${detail.join('; ')}`, {
        code: 'template_invalid', issues: detail.map((message) => ({ path: 'template', message })),
      });
    }
    const names = templates.map((t) => t.summary.name);
    throw new NotFoundError(`Template "${name}" does not exist${names.length > 0 ? `; available: ${names.join(', ')}` : ''} (paved templates)`, {
      code: 'template_not_found', issues: [{ path: 'template', message: 'no such template' }],
    });
  }

  /**
   * Reads the folder on every call: templates are a handful of small files, and a platform
   * team that adds or fixes one sees it served at once, with no restart.
   */
  private async load(): Promise<LoadedTemplates> {
    if (this.deps.dir === undefined) return { templates: [], problems: [] };
    const loaded = await loadTemplates(this.deps.dir);
    for (const problem of loaded.problems) {
      if (this.reported.has(problem)) continue;
      this.reported.add(problem);
      this.deps.onProblem?.(problem);
    }
    return loaded;
  }
}
