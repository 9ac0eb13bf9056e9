/* The skip link ("Skip to content"): moves the keyboard focus to the page's content, past the navbar
   and filters, without putting a #fragment into the address (the page router would carry it along). */
(function () {
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.skip-link") : null;
    if (!link) { return; }
    var target = document.getElementById((link.getAttribute("href") || "").replace(/^#/, ""));
    if (!target) { return; }
    event.preventDefault();
    target.focus();
    target.scrollIntoView({block: "start"});
  });
})();
