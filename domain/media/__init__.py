"""Media: uploads straight to storage, and the video records made from them."""
