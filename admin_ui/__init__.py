"""Server-rendered pages (Jinja2) and the browser booth's static assets."""
