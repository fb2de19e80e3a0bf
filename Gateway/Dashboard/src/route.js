/** Goes to a page of the dashboard, with its parameters after the # (never sent to a server). */
export function navigate(path, params) {
  const search = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString() : "";
  location.hash = `#/${path}${search ? `?${search}` : ""}`;
}
