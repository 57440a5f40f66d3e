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

if (process.argv.includes("--watch")) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
