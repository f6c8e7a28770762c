"""What a letter says and how it looks: content, numbers, body, DOCX, PDF, rendering, 通报."""
