// What people typed (an agreed action's evidence note, unit, mission) is shown as written, marked with
// the language it is written in (layouts/actions.py grid_rows gives each row its "<field>_lang").
// A grid cell cannot carry a lang attribute, so this renderer wraps the value in a span that does.
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

dagcomponentfuncs.FreeText = function (props) {
    var lang = props.data && props.langField ? props.data[props.langField] : null;
    return React.createElement('span', lang ? {lang: lang} : {}, props.value);
};
