/** The console's icon: a gate in the palette's navy, so browsers find an icon and never ask for /favicon.ico. */
export const consoleIcon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#102a43"/>
<path d="M8 26V12a8 8 0 0 1 16 0v14" fill="none" stroke="#f0f4f8" stroke-width="3"/>
<path d="M13 26v-8h6v8" fill="none" stroke="#7aa7e6" stroke-width="2.5"/>
</svg>
`;
