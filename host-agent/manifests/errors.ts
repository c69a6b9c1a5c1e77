// The error of a manifest that does not validate: one line per problem, each naming the
// file. Its own module so the CLI's entry can recognise it without loading yaml and zod.

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
    this.name = 'ManifestError';
  }
}
