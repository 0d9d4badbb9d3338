import { Type } from '#typebox';
import { Name } from '../http/schemas.js';

/** Golden-path templates (docs/golden-paths.md); shapes as in @paved/model api.ts and catalog.ts. */
export const TemplateSummary = Type.Object({
  name: Type.String(),
  title: Type.String(),
  description: Type.String(),
  resources: Type.Array(Type.String(), { description: 'Products the template\'s score.yaml asks for' }),
}, { title: 'TemplateSummary' });

export const TemplateParameter = Type.Object({
  name: Type.String(),
  description: Type.String(),
  default: Type.Optional(Type.String()),
}, { title: 'TemplateParameter' });

export const TemplateFile = Type.Object({
  path: Type.String({ description: 'Relative, "/"-separated; may itself contain {{placeholders}}' }),
  content: Type.String({ description: 'Unrendered: `paved init` substitutes {{service}}, {{team}}, {{port}} and the parameters' }),
  executable: Type.Optional(Type.Boolean()),
}, { title: 'TemplateFile' });

export const TemplateDetail = Type.Object({
  summary: TemplateSummary,
  parameters: Type.Array(TemplateParameter),
  files: Type.Array(TemplateFile),
}, { title: 'TemplateDetail' });

export const TemplateParams = Type.Object({ template: Name });
