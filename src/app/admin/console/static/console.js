// The console's one script: the admin token, and how htmx shows answers. No data lives here.
(function () {
  "use strict";
  var KEY = "released-intacct.admin-token";
  var body = document.body;
  var signIn = document.getElementById("sign-in");
  var screen = document.getElementById("screen");
  var problem = document.getElementById("problem");
  var signOut = document.getElementById("sign-out");

  // A refusal (4xx/5xx) is swapped in too: its fragment retargets itself to #problem.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "[45]..", swap: true, error: true },
  ];
  // Under the shell's Content-Security-Policy: no eval, and no style attribute carried over
  // between swapped elements (the page sets none; copying an absent one is an inline style).
  htmx.config.selfRequestsOnly = true;
  htmx.config.allowEval = false;
  htmx.config.attributesToSettle = ["class", "width", "height"];

  // The token goes as a header on every request the page makes; never as a cookie.
  body.addEventListener("htmx:configRequest", function (event) {
    var token = sessionStorage.getItem(KEY);
    if (token) {
      event.detail.headers["Authorization"] = "Bearer " + token;
    }
  });

  // A screen shown: the problem of the last action is cleared (the polled panel leaves it).
  body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === screen) {
      problem.replaceChildren();
    }
  });

  // A refused token: back to sign in, keeping the API's words in #problem.
  body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 401) {
      sessionStorage.removeItem(KEY);
      show(false);
    }
  });

  function show(signedIn) {
    signIn.hidden = signedIn;
    screen.hidden = !signedIn;
    signOut.hidden = !signedIn;
  }

  function home() {
    show(true);
    htmx.ajax("GET", body.dataset.home, { target: "#screen", swap: "innerHTML" });
  }

  document.getElementById("sign-in-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var field = document.getElementById("token");
    sessionStorage.setItem(KEY, field.value);
    field.value = "";
    problem.replaceChildren();
    home();
  });

  signOut.addEventListener("click", function () {
    sessionStorage.removeItem(KEY);
    screen.replaceChildren();
    show(false);
  });

  if (sessionStorage.getItem(KEY)) {
    home();
  } else {
    show(false);
  }
})();
