// Back and Forward between views of the same page (a map drill, a filter) without rebuilding it.
//
// The dashboard writes each view into the address with history.pushState/replaceState
// (callbacks/url_sync.py), which Dash's own dcc.Location components never hear about. On Back,
// they compare the address with what they last saw and Dash's page router would rebuild the whole
// page (the map drawn again from scratch) whenever the two differ. So when Back/Forward stays on
// the same page, this listener, registered before Dash mounts its components, keeps the event to
// itself and hands the address to the dashboard's store shell-url-in; the page's callbacks then
// move the view one step (the map one drill level up). Going to another page is left to Dash.
(function () {
    let shownPath = window.location.pathname;
    window.addEventListener("_dashprivate_pushstate", function () { shownPath = window.location.pathname; });
    window.addEventListener("popstate", function (event) {
        const path = window.location.pathname;
        const samePage = path === shownPath;
        shownPath = path;
        const dash = window.dash_clientside;
        if (!samePage || !dash || typeof dash.set_props !== "function") {
            return;
        }
        try {
            dash.set_props("shell-url-in", {data: {href: window.location.href, at: Date.now()}});
        } catch (error) {
            return;   // no dashboard shell on this page (the "data unavailable" page): Dash handles it
        }
        event.stopImmediatePropagation();
    });
})();
