"""The lesson room of the window: the lesson panel and its text view, the figures and their
page in the workspace, the training commands a step sends, and the spotlight overlay."""
