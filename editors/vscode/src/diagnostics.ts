/**
 * Coexistence with other SKILL.md validators (VS Code's built-in Agent Skills support validates SKILL.md files
 * under its skill folders and reports e.g. a missing `name`). When another source already reports a problem
 * on the same line with the same severity, forge-ls's diagnostic for that line is the same finding and is not
 * shown twice. Everything else forge-ls reports (Boternity rules, cross-file rules) is kept.
 */
export interface DiagLike {
  range: { start: { line: number }; end: { line: number } };
  severity?: number;
  source?: string;
}

export const FORGE_SOURCE = 'forge-ls';

export function isSkillFile(path: string): boolean {
  return /(^|[\\/])SKILL\.md$/.test(path);
}

export function dedupeAgainst<T extends DiagLike>(ours: readonly T[], all: readonly DiagLike[]): T[] {
  const others = all.filter((d) => d.source !== FORGE_SOURCE);
  if (others.length === 0) {
    return [...ours];
  }
  return ours.filter(
    (mine) =>
      !others.some(
        (other) => other.range.start.line === mine.range.start.line && (other.severity ?? 0) === (mine.severity ?? 0),
      ),
  );
}
