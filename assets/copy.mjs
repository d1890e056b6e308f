// Copies the GOV.UK Frontend JavaScript module next to the compiled CSS, so
// that Django's static files serve one build folder.
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("static/build", { recursive: true });
copyFileSync(
  "node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js",
  "static/build/govuk-frontend.min.js",
);
