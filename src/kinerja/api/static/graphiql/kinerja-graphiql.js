// Boots GraphiQL on the page this server serves at /graphql (GET with Accept: text/html). Everything
// it loads comes from this server (/static/graphiql/); queries go to the same URL over HTTP POST and
// subscriptions over graphql-transport-ws. The query, variables and headers are kept in the address
// (q, variables) and in the browser's storage (headers, e.g. "Authorization": "Bearer <token>").
(function () {
  "use strict";

  var EXAMPLE_QUERY = [
    "# Kinerja GraphQL API",
    "#",
    "# Sign in with the login mutation, then put the access token in the Headers tab:",
    '#   {"Authorization": "Bearer <accessToken>"}',
    "#",
    "# Run: Ctrl-Enter.  Complete: Ctrl-Space.  Docs: the book icon on the left.",
    "",
    "query PublicServices {",
    '  publicServices(tenant: "bungo") {',
    "    name",
    "  }",
    "}",
    "",
  ].join("\n");

  var parameters = new URLSearchParams(window.location.search);
  var url = window.location.href.split("?")[0].split("#")[0];
  var socketUrl = new URL(url);
  socketUrl.protocol = socketUrl.protocol === "https:" ? "wss:" : "ws:";

  function remember(name, value) {
    if (value) {
      parameters.set(name, value);
    } else {
      parameters.delete(name);
    }
    var search = parameters.toString();
    history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: socketUrl.toString() });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  function Ide() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: EXAMPLE_QUERY,
      query: parameters.get("q") || undefined,
      variables: parameters.get("variables") || undefined,
      onEditQuery: function (value) { remember("q", value); },
      onEditVariables: function (value) { remember("variables", value); },
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Ide));
})();
