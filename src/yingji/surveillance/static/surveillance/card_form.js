/* The report-card form: remembers which fields the user has touched (the validate endpoint only speaks about
   those), marks fields invalid from the messages it answers, and fills birth date and sex from a valid resident
   ID number when they are still empty. No rule lives here: validation is the server's form. */
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form) { return; }
  var touchedInput = document.getElementById("card-touched");
  var touched = {};
  touchedInput.value.split(",").forEach(function (name) { if (name) { touched[name] = true; } });

  function touch(event) {
    var target = event.target;
    if (!target || !target.name || target.form !== form || target.name.charAt(0) === "_") { return; }
    touched[target.name] = true;
    touchedInput.value = Object.keys(touched).join(",");
  }
  // Capture phase: runs before htmx sends the request the same event triggers.
  document.addEventListener("input", touch, true);
  document.addEventListener("change", touch, true);

  function field(name) {
    return form.querySelector("[name='" + name + "']");
  }

  function mark() {
    form.querySelectorAll(".sv-feedback").forEach(function (box) {
      var input = field(box.dataset.field);
      if (!input || input.type === "hidden") { return; }
      var invalid = box.querySelector("[data-field-error]") !== null;
      input.classList.toggle("is-invalid", invalid);
      input.setAttribute("aria-invalid", invalid ? "true" : "false");
    });
    var hint = document.getElementById("id-hint");
    if (hint && hint.dataset.birthDate) {
      var birth = field("birth_date");
      if (birth && !birth.value) { birth.value = hint.dataset.birthDate; }
      var sex = field("sex");
      if (sex && !sex.value) { sex.value = hint.dataset.sex; }
    }
  }

  document.body.addEventListener("htmx:afterOnLoad", function () { window.setTimeout(mark, 0); });
  document.body.addEventListener("htmx:oobAfterSwap", function () { window.setTimeout(mark, 0); });
  mark();
})();
