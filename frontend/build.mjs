// Bundles src/ into web/static/bundle/ (committed, so running the site never needs Node).
import * as esbuild from "esbuild";

const options = {
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "iife",
  target: ["es2020"],
  outfile: "../web/static/bundle/bpflab.js",
  legalComments: "linked",
  logLevel: "info",
};

// The embed script third-party pages include (docs/embed.md): no editor library, small.
const embed = { ...options, entryPoints: ["src/embed.js"], outfile: "../web/static/bundle/embed.js" };

if (process.argv.includes("--watch")) {
  for (const config of [options, embed]) await (await esbuild.context(config)).watch();
} else {
  await esbuild.build(options);
  await esbuild.build(embed);
}
