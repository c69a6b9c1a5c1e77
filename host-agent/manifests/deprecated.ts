// Older iximiuz Labs forms, converted to the current ones (as labctl does on update) with a
// warning that names the field, so an old manifest keeps working and its author learns
// the new spelling.
import type { AccessControl, PlaygroundManifest } from './schema';

const ACCESS_MODES: Record<'private' | 'public', AccessControl> = {
  private: { canList: ['owner'], canRead: ['owner'], canStart: ['owner'] },
  public: { canList: ['anyone'], canRead: ['anyone'], canStart: ['anyone'] },
};

export function convertDeprecated(manifest: PlaygroundManifest): { manifest: PlaygroundManifest; warnings: string[] } {
  const { access, ...playground } = manifest.playground;
  if (!access) return { manifest, warnings: [] };
  if (playground.accessControl) {
    return { manifest: { ...manifest, playground }, warnings: ['playground.access: deprecated and ignored: playground.accessControl is given'] };
  }
  const accessControl = ACCESS_MODES[access.mode];
  return {
    manifest: { ...manifest, playground: { ...playground, accessControl } },
    warnings: [`playground.access: deprecated; mode ${access.mode} converted to accessControl ${JSON.stringify(accessControl)}`],
  };
}
