// Runs Lighthouse on a list of pages in one Chromium that is already running, for each
// form factor, and writes each report as JSON. Called by TestLighthouse
// (lighthouse_browser_test.go), which starts the app and Chromium and judges the
// reports. One Node process for all pages spares a Lighthouse start-up per page.
//
// Usage: node lighthouse.mjs spec.json
//   spec: {"lighthouse": dir of the lighthouse package, "port": Chromium's debugging port,
//          "out": dir for reports, "formFactors": ["mobile", "desktop"],
//          "categories": ["accessibility", ...],
//          "pages": [{"name": "login", "url": "http://…", "headers": {"Cookie": "…"},
//                     "ignoreStatusCode": false}]}
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const spec = JSON.parse(await readFile(process.argv[2], "utf8"));
const { default: lighthouse } = await import(pathToFileURL(join(spec.lighthouse, "core/index.js")).href);
const { default: desktop } = await import(pathToFileURL(join(spec.lighthouse, "core/config/desktop-config.js")).href);

for (const formFactor of spec.formFactors) {
  // Mobile is Lighthouse's default (a 412 px phone); desktop its desktop preset.
  const base = formFactor === "desktop" ? desktop : { extends: "lighthouse:default" };
  const config = {
    ...base,
    settings: {
      ...base.settings,
      onlyCategories: spec.categories,
      disableFullPageScreenshot: true,
    },
  };
  for (const page of spec.pages) {
    const started = Date.now();
    const result = await lighthouse(page.url, {
      port: spec.port,
      output: "json",
      logLevel: "error",
      extraHeaders: page.headers || undefined,
      ignoreStatusCode: Boolean(page.ignoreStatusCode), // the 404 page is meant to be one
    }, config);
    if (!result) {
      throw new Error(`no result for ${page.url}`);
    }
    const file = join(spec.out, `${formFactor}-${page.name}.json`);
    await writeFile(file, result.report);
    console.log(`${formFactor} ${page.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
