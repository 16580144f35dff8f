"""postkit traditional: Chinese-script copies of posts with OpenCC, word segmentation and protected spans."""
