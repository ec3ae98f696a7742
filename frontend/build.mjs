// Copies the front-end packages natokg's pages use from node_modules/ into app/web/static/vendor/, where the
// app serves them (and the wheel ships them): no page loads anything from another server at run time.
//
//     npm ci --prefix frontend && npm run --prefix frontend build
//
// Besides the copies it writes iso-numeric.json, ISO 3166-1 alpha-3 -> numeric (from i18n-iso-countries), by
// which the map matches natokg's countries (nkg:isoCode, alpha-3) to Natural Earth's shapes (numeric ids).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const vendor = join(here, "..", "app", "web", "static", "vendor");
const require = createRequire(import.meta.url);

// [package, file in the package, name in vendor/]
const FILES = [
  ["d3", "dist/d3.min.js", "d3.min.js"],
  ["topojson-client", "dist/topojson-client.min.js", "topojson-client.min.js"],
  ["world-atlas", "countries-110m.json", "countries-110m.json"],
  ["@zazuko/yasgui", "build/yasgui.min.js", "yasgui.min.js"],
  ["@zazuko/yasgui", "build/yasgui.min.css", "yasgui.min.css"],
  ["@observablehq/plot", "dist/plot.umd.min.js", "plot.umd.min.js"],
];

rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });
const notices = [];
for (const [name, file, target] of FILES) {
  copyFileSync(join(modules, name, file), join(vendor, target));
}
const packages = [...new Set([...FILES.map(([name]) => name), "i18n-iso-countries"])];
for (const name of packages) {
  const meta = JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));
  let license = "";
  try { license = readFileSync(join(modules, name, "LICENSE"), "utf8"); } catch { license = `License: ${meta.license}`; }
  notices.push(`${name} ${meta.version} (${meta.license})\n${meta.homepage || ""}\n\n${license.trim()}\n`);
}
notices.push("countries-110m.json: Natural Earth 1:110m cultural vectors, version 4.1.0 (public domain), "
  + "as TopoJSON by the world-atlas package.\n");
writeFileSync(join(vendor, "LICENSES.txt"), notices.join("\n" + "-".repeat(72) + "\n\n"));

const countries = require("i18n-iso-countries");
const numeric = Object.fromEntries(
  Object.entries(countries.getNumericCodes()).map(([number, alpha2]) => [countries.alpha2ToAlpha3(alpha2), number]));
writeFileSync(join(vendor, "iso-numeric.json"), JSON.stringify(numeric));
console.log(`vendor/: ${FILES.length + 2} files in ${vendor}`);
