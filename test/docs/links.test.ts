import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The README is short and sends readers to docs/ for the rest, so a link that leads nowhere loses them the very
 * thing they came for: every relative link of the README and of docs/ must reach a file of the repository, and its
 * `#anchor`, if any, a heading of that file.
 */

const PAGES = [
  "README.md",
  ...readdirSync("docs")
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];

/** The text outside fenced code blocks, where `#` starts a comment, not a heading, and `](` is no link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, title = ""] of prose(markdown).matchAll(/^#{1,6} +(.+?) *$/gm)) {
    const slug = title
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** Every relative link of a page, as written: `[text](target)`, external and mail links left out. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target = ""]) => target)
    .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
}

describe("links between the README and docs/", () => {
  it("finds the pages and their links", () => {
    expect(PAGES).toContain("docs/operations.md");
    expect(relativeLinks(readFileSync("README.md", "utf8"))).toContain(
      "docs/operations.md#production-recipe",
    );
  });

  it.each(PAGES)("%s links only to files that exist, and to headings they have", (page) => {
    const broken: string[] = [];
    for (const target of relativeLinks(readFileSync(page, "utf8"))) {
      const [path = "", anchor] = target.split("#");
      const file = path === "" ? page : normalize(join(dirname(page), path));
      if (!existsSync(file)) {
        broken.push(`${target}: no file ${file}`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(file).isDirectory() || !file.endsWith(".md"))
        broken.push(`${target}: an anchor into no page`);
      else if (!anchors(readFileSync(file, "utf8")).has(anchor))
        broken.push(`${target}: no heading #${anchor}`);
    }
    expect(broken).toEqual([]);
  });
});
