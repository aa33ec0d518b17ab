// ccg's only script: start the NHS.UK frontend components (header menu,
// skip link, buttons). It is a module file because the Content-Security-Policy
// allows no inline script; pages work without it.
import { initAll } from "./nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("nhsuk-frontend-supported");
}
initAll();
