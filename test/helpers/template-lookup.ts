// A template catalog as content validation sees it, from a plain map (template → machine
// names), for tests that check content against templates they name themselves.
import type { TemplateLookup } from '../../host-agent/playgrounds/catalog';

export function templateLookup(templates: Record<string, string[]>): TemplateLookup {
  return { names: () => Object.keys(templates).sort(), machines: (name) => templates[name] };
}
